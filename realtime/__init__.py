"""Redis mechanisms that know nothing of orders: client, keys, geo index, event bus, deadline
queue and its worker, rate-limit budgets, clock, inbox."""
