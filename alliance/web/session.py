"""Session keys Alliance keeps (times only: no PHI is ever put in a session)."""

AUTH_AT = "alliance_auth_at"
SEEN_AT = "alliance_seen_at"
# Refreshing the idle clock writes the session; doing it at most this often keeps page views
# from writing the session table on every request, at the cost of this many seconds' slack.
TOUCH_EVERY_SECONDS = 30
