"""Data generators and benchmarks that print figures (see bench/README.md)."""
