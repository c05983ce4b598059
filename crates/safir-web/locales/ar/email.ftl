## email
