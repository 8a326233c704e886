"""The channel: distributors, the units they ship by code, the counter's scan of those codes,
the diversion alerts it raises, and the period statements (rebates, settlement on actual sales).
"""
