"""Business rules and persistence; knows nothing of GraphQL or HTTP."""
