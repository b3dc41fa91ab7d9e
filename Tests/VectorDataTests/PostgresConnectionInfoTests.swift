import Testing
@testable import VectorData

@Suite struct PostgresConnectionInfoTests {
    @Test func url() throws {
        let i = try PostgresConnectionInfo.parse("postgres://alice:p%40ss@db.example:6543/gis?sslmode=require")
        #expect(i.host == "db.example" && i.port == 6543 && i.user == "alice" && i.password == "p@ss")
        #expect(i.database == "gis" && i.sslMode == "require")
        let d = try PostgresConnectionInfo.parse("postgresql://127.0.0.1/x")
        #expect(d.port == 5432 && d.user == "postgres" && d.password == nil)
    }

    @Test func keyValue() throws {
        let i = try PostgresConnectionInfo.parse("host=/var/run/postgresql port=5433 user=bob password='a b\\'c' dbname=geo")
        #expect(i.host == "/var/run/postgresql" && i.port == 5433 && i.user == "bob" && i.password == "a b'c")
        #expect(i.database == "geo")
        #expect(i.unixSocketPath == "/var/run/postgresql/.s.PGSQL.5433")
        #expect(throws: VectorDataError.self) { try PostgresConnectionInfo.parse("host=x port=notaport") }
        #expect(throws: VectorDataError.self) { try PostgresConnectionInfo.parse("password='unterminated") }
    }
}
