"""Outbreak surveillance (IDSR): weekly reports, line lists, thresholds, alerts and response."""
