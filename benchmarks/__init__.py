"""Benchmarks of o2o against PostgreSQL, Redis and one real ``o2o serve`` process."""
