// TileServices
