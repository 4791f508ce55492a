"""Serving integrations.list from web frameworks: one small adapter each (docs/embedding.md)."""
