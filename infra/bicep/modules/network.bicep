// A virtual network so the GPU host can stay internal: one subnet for the Container Apps
// environment, one for the function app's outbound VNet integration.
param location string
param name string

@description('Delegation of the functions subnet: Microsoft.App/environments for Flex Consumption, Microsoft.Web/serverFarms for Elastic Premium.')
param functionsDelegation string

resource vnet 'Microsoft.Network/virtualNetworks@2024-01-01' = {
  name: name
  location: location
  properties: {
    addressSpace: { addressPrefixes: [ '10.40.0.0/16' ] }
    subnets: [
      {
        name: 'containerapps'
        properties: {
          addressPrefix: '10.40.0.0/23'
          delegations: [ { name: 'apps', properties: { serviceName: 'Microsoft.App/environments' } } ]
        }
      }
      {
        name: 'functions'
        properties: {
          addressPrefix: '10.40.2.0/24'
          delegations: [ { name: 'functions', properties: { serviceName: functionsDelegation } } ]
        }
      }
    ]
  }
}

output id string = vnet.id
output containerAppsSubnetId string = '${vnet.id}/subnets/containerapps'
output functionsSubnetId string = '${vnet.id}/subnets/functions'
