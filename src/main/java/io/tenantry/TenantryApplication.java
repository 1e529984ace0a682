package io.tenantry;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

@SpringBootApplication
public class TenantryApplication {

    public static void main(String[] args) {
        SpringApplication.run(TenantryApplication.class, args);
    }
}
