"""The service layer: the only way pages read or write data. Every function takes the actor."""
