"""Teams (units): crews, their members, capabilities, status and position."""
