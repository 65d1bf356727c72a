"""The signed-document kernel: one lifecycle (draft, versions, signature, addenda, entered in
error, co-signature), one canonical form and digest, one exception family, one reason policy and
one builder of the database triggers that lock signed rows. Every clinical document type uses it.
"""
