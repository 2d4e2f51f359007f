"""Read-side queries of the support chain, one module per record kind (the same kinds as views/),
the pupil's support page (`support_page`), and what several kinds read: the huvudman's deadlines
(`deadlines`) and a record the user names, only if it is the pupil's (`pupil_records`)."""
