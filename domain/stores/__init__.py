"""Stores, their geo index, and the catalogue: products, rewards, priced lines."""
