"""Flask serving GET /api/v1/integrations.list."""
