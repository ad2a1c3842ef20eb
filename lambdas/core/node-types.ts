// X-Ray node types in words, for every text that names a service: the report's, the CLI's and the
// simulator's (which may not import the report).

/** A readable short form of an X-Ray node type. */
export function shortType(type: string): string {
  const known: Readonly<Record<string, string>> = {
    'AWS::ECS::Container': 'ECS container',
    'AWS::EC2::Instance': 'EC2 instance',
    'AWS::Lambda::Function': 'Lambda function',
    'AWS::Lambda': 'Lambda service',
    'AWS::DynamoDB::Table': 'DynamoDB table',
    'AWS::SQS::Queue': 'SQS queue',
    'AWS::SNS::Topic': 'SNS topic',
    'AWS::S3::Bucket': 'S3 bucket',
    'AWS::ElasticBeanstalk::Environment': 'Beanstalk env',
    'AWS::EKS::Container': 'EKS container',
    'AWS::ApiGateway::Stage': 'API Gateway stage',
    'Database::SQL': 'SQL database',
    remote: 'external / remote',
    client: 'users',
  };
  return known[type] ?? type;
}

/** What kind of node a service is, in words, where it tells something: `, an external dependency`. */
export function typeWords(type: string): string {
  if (type === 'remote') return ', an external dependency';
  if (type.startsWith('AWS::') && !type.includes('Container') && !type.includes('Instance'))
    return ` (${shortType(type)})`;
  return '';
}
