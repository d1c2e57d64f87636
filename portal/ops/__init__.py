"""Running the portal as a service: health and readiness, JSON logs, Prometheus metrics, the
statement timeout's answer, and the configuration `make serve` generates (bin/serve).

A neutral module: it imports no domain app, and the domain apps do not import it (the API's
error handler asks `portal.ops.dbtimeout` whether a query was cancelled)."""
