# Consular services: advice
