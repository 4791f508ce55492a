"""MongoDB's query language over in-memory documents: compile once, run many."""
