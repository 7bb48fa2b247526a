"""The help desk's conversation with people: commands, menus, the request dialog and the relay."""
