# Consular services: evisa
