"""A small shop bot: a catalogue, a product card, an admin's stock command, an order dialog."""
