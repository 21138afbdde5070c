"""Which domain job runs when: the schedule of the worker (`streetrelief jobs run`) and, when
``STREETRELIEF_RUN_JOBS_IN_SERVER`` is set, of `streetrelief serve`. The jobs themselves live in
their domains (`weather.feeds.jobs`, `response.jobs`)."""
