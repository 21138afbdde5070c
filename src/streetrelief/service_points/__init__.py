"""Service points: relief stations, warming shelters, relief points and help points."""
