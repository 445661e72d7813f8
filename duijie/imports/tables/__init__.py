"""The official target tables of seed 001 (昆政办发〔2017〕163号): Annex 2 (部门、区镇对接清单和目标任务表)
and Annex 3 (2017年主要任务指标), imported for one programme and exported with the live figures.

- ``layout``: the file (merged headings, title, totals row) → a ``Table``; nothing of the database;
- ``values``: a target cell as printed → (value, text);
- ``owners``: headings → the programme's indicators, row names → units, parks, departments;
- ``plan``: the table → new / changed / unchanged targets, checked whole, written through the services;
- ``export``: a programme's targets (scoped to the reader) → the printed layout with a 完成 column beside
  each target, and the sample files generated from the seed's figures (``samples``).
"""
