"""Who may do what where: accounts, sign-in, roles, jurisdiction, partner keys and grants."""
