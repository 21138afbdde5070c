"""CAP feeds polled over HTTP(S): the feeds and their state (``models``), the pure rules of
when a feed is due, failing or stale (``logic``), the use cases (``service``) and the poll job
(``jobs``). Parsing and storing alerts stay with `weather.cap` and `weather.service`."""
