"""What tests share besides factories: real servers on loopback (gunicorn, nginx,
Varnish), the live-server harness, and the rule for tools a fresh machine lacks. The
benchmark (bench/) and the load test (loadtest/) use the servers from here."""
