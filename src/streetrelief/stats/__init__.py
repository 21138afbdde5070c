"""Statistics: the campaign's figures by region subtree and date range."""
