# A list of lists that grows until memory runs out (bounded at 80 GB).
rows = []
for i in range(10**7):
    rows.append([i] * 1000)
print(len(rows))
