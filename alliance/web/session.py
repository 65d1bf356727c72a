"""Session keys Alliance keeps: times, and the words of the last searches (``web.search_tokens``:
kept server-side so that no typed word is in a URL, SEC-33; gone at sign-out and time-out)."""

AUTH_AT = "alliance_auth_at"
SEEN_AT = "alliance_seen_at"
# Refreshing the idle clock writes the session; doing it at most this often keeps page views
# from writing the session table on every request, at the cost of this many seconds' slack.
TOUCH_EVERY_SECONDS = 30
