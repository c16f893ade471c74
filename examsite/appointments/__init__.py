"""Appointments: meetings, appointment records, statements, oath ceremonies with check-in."""
