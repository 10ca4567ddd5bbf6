"""Use cases of the core; each public function is one transaction."""
