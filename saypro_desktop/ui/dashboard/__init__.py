"""The Dashboard workspace: figures of today, the last 30 days, KPIs against targets, inquiries at risk."""
