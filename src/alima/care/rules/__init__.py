"""Pure clinical rules of care: IMCI triage, malaria, maternal health (no database, no HTTP)."""
