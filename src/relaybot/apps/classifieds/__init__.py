"""Classifieds: ad bots that post to a channel, and filter bots that tell subscribers."""
