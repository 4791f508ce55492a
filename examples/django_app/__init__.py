"""Django serving GET /api/v1/integrations.list (settings configured in code)."""
