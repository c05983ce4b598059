## staff
