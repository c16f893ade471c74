"""Staff accounts: login, password change, and account management by administrators."""
