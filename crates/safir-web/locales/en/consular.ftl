# Consular services: consular
