-- A position of an imported order.
INSERT INTO auftragsposition (auftrag_nr, pos_nr, artikel_nr, bezeichnung, menge,
                              einzelpreis_netto, ust_satz)
VALUES (:auftrag_nr, :pos_nr, :artikel_nr, :bezeichnung, :menge, :einzelpreis_netto, :ust_satz)
