// PaDeLLM on Azure: a Durable Functions app (.NET isolated worker) that fans out to a GPU host
// running in Azure Container Apps, with storage for corpora, results, the ingestion queue
// and the Durable task hub. Deploy: see README "Deploy to Azure".
targetScope = 'resourceGroup'

@description('Region for every resource.')
param location string = resourceGroup().location

@description('Short prefix for resource names (3-11 lowercase letters and digits).')
@minLength(3)
@maxLength(11)
param namePrefix string = 'padellm'

@description('Function app hosting plan: Flex Consumption (FC1) or Elastic Premium (EP1/EP2/EP3).')
@allowed([ 'FC1', 'EP1', 'EP2', 'EP3' ])
param functionPlanSku string = 'FC1'

@description('Container Apps workload profile type for the GPU host (a serverless GPU profile, or Consumption for CPU only).')
@allowed([ 'Consumption-GPU-NC8as-T4', 'Consumption-GPU-NC24-A100', 'Consumption' ])
param gpuWorkloadProfileType string = 'Consumption-GPU-NC8as-T4'

@description('The GPU host image (built by scripts/publish.sh --image and pushed to a registry).')
param gpuHostImage string

@description('Most GPU host replicas (it scales to zero when idle).')
@minValue(1)
param gpuHostMaxReplicas int = 2

@description('Registry server of the GPU host image (pulled with the managed identity); empty for a public image.')
param registryServer string = ''

@description('Storage account SKU.')
@allowed([ 'Standard_LRS', 'Standard_ZRS', 'Standard_GRS' ])
param storageSku string = 'Standard_LRS'

@description('Labels the pipeline extracts by default (comma-separated).')
param labels string = 'ORG,MISC,PER,LOC'

var suffix = uniqueString(resourceGroup().id, namePrefix)
var storageName = take('${namePrefix}${suffix}', 24)

module network 'modules/network.bicep' = {
  name: 'network'
  params: {
    location: location
    name: '${namePrefix}-vnet-${suffix}'
    functionsDelegation: functionPlanSku == 'FC1' ? 'Microsoft.App/environments' : 'Microsoft.Web/serverFarms'
  }
}

module identity 'modules/identity.bicep' = {
  name: 'identity'
  params: {
    location: location
    name: '${namePrefix}-id-${suffix}'
  }
}

module storage 'modules/storage.bicep' = {
  name: 'storage'
  params: {
    location: location
    name: storageName
    sku: storageSku
    principalId: identity.outputs.principalId
  }
}

module monitoring 'modules/monitoring.bicep' = {
  name: 'monitoring'
  params: {
    location: location
    name: '${namePrefix}-${suffix}'
  }
}

module gpuHost 'modules/gpuhost.bicep' = {
  name: 'gpuhost'
  params: {
    location: location
    name: '${namePrefix}-gpu-${suffix}'
    image: gpuHostImage
    workloadProfileType: gpuWorkloadProfileType
    maxReplicas: gpuHostMaxReplicas
    logAnalyticsWorkspaceId: monitoring.outputs.workspaceId
    identityId: identity.outputs.id
    subnetId: network.outputs.containerAppsSubnetId
    vnetId: network.outputs.id
    registryServer: registryServer
  }
}

module functionApp 'modules/functionapp.bicep' = {
  name: 'functionapp'
  params: {
    location: location
    name: '${namePrefix}-func-${suffix}'
    planSku: functionPlanSku
    storageAccountName: storage.outputs.name
    deploymentContainerUrl: storage.outputs.deploymentContainerUrl
    identityId: identity.outputs.id
    identityClientId: identity.outputs.clientId
    appInsightsConnectionString: monitoring.outputs.appInsightsConnectionString
    gpuHostUrl: gpuHost.outputs.url
    labels: labels
    subnetId: network.outputs.functionsSubnetId
  }
}

output functionAppName string = functionApp.outputs.name
output extractUrl string = '${functionApp.outputs.url}/api/extract'
output gpuHostInternalUrl string = gpuHost.outputs.url
output storageAccountName string = storage.outputs.name
output corpusContainer string = 'corpus'
output resultsContainer string = 'results'
output ingestionQueue string = 'ingest'
