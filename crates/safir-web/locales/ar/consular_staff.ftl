# Consular services: the officers' workspace (queues, case pages, SLA board, service catalogue)
