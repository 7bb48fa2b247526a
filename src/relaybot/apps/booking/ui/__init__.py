"""The conversation: menus by role, the booking dialog, lists and the admin's screens."""
