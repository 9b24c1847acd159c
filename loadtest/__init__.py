"""`make loadtest`: the reader side under load while the desk publishes, and faults injected
(a gunicorn worker killed, PostgreSQL crashing during a publish). See loadtest/run.py."""
