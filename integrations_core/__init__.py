"""integrations_core: Rocket.Chat's integrations.list as pure functions, over a safe MQL engine."""
