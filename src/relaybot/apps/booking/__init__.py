"""Appointments with specialists (seed 003): slots, bookings by role, notifications."""
