"""Order intake for water delivery (seed 004): address, phone, bottles, confirm."""
