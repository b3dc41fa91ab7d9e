import Testing
@testable import Ingest

@Suite struct IdentifiersTests {
    @Test func accentsCaseAndPunctuationAreNormalised() {
        #expect(Identifiers.normalise("Département") == "departement")
        #expect(Identifiers.normalise("Nom de la Commune") == "nom_de_la_commune")
        #expect(Identifiers.normalise("  Pop. (2020) ") == "pop_2020")
    }

    @Test func digitsReservedWordsAndEmptyNames() {
        #expect(Identifiers.normalise("2024") == "_2024")
        #expect(Identifiers.normalise("ORDER") == "order_")
        #expect(Identifiers.normalise("select") == "select_")
        #expect(Identifiers.normalise("name") == "name")   // non-reserved key word stays
        #expect(Identifiers.normalise("---") == "field")
    }

    @Test func longNamesAreCutTo63Bytes() {
        let n = Identifiers.normalise(String(repeating: "a", count: 100))
        #expect(n.utf8.count == 63)
    }

    @Test func duplicatesAndTakenNamesGetSuffixes() {
        #expect(Identifiers.normalise(["Nom", "nom", "NOM", "fid", "geom"], taken: ["fid", "geom"])
                == ["nom", "nom_2", "nom_3", "fid_2", "geom_2"])
    }

    @Test func quotingDoublesQuotes() {
        #expect(Identifiers.quoted("a\"b") == "\"a\"\"b\"")
    }
}
