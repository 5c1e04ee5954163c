module example.invalid/libcpor/bindings/go

go 1.19
