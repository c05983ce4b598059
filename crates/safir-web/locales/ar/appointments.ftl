# Consular services: appointments
