"""Notifications (通知): one inbox per person, live on the event stream, and outside channels."""
